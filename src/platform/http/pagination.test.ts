import { describe, expect, it } from "vitest";
import { filterQuery, paginationOf } from "./pagination.ts";

const numbers = (pagination: ReturnType<typeof paginationOf>) => pagination?.items.map((item) => ("ellipsis" in item ? "…" : item.current ? `[${item.number}]` : String(item.number))).join(" ");

describe("paginationOf", () => {
  it("shows nothing for a single page", () => {
    expect(paginationOf(1, 1, String)).toBeNull();
  });

  it("links the first, last and neighbouring pages with an ellipsis for each gap", () => {
    expect(numbers(paginationOf(1, 3, String))).toBe("[1] 2 3");
    expect(numbers(paginationOf(5, 10, String))).toBe("1 … 4 [5] 6 … 10");
    expect(numbers(paginationOf(10, 10, String))).toBe("1 … 9 [10]");
    expect(numbers(paginationOf(3, 10, String))).toBe("1 2 [3] 4 … 10");
  });

  it("has no previous link on the first page and no next link on the last", () => {
    const href = (page: number) => `/cases?page=${page}`;
    expect(paginationOf(1, 4, href)).toMatchObject({ next: { href: "/cases?page=2" } });
    expect(paginationOf(1, 4, href)?.previous).toBeUndefined();
    expect(paginationOf(4, 4, href)).toMatchObject({ previous: { href: "/cases?page=3" } });
    expect(paginationOf(4, 4, href)?.next).toBeUndefined();
  });
});

describe("filterQuery", () => {
  it("leaves out what is not set and escapes what is", () => {
    expect(filterQuery({ state: "all", type: undefined, organisationId: "", page: 2, q: "a&b" })).toBe("state=all&page=2&q=a%26b");
  });
});
