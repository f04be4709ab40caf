import { describe, expect, it } from "vitest";
import { caseFiguresChanged, keptFigures } from "./dashboard-figures.ts";

/** How the kept figures are shared: once per view at a time, never a failure, never past a change. */
describe("keptFigures", () => {
  const view = (organisationId: string) => ({ organisationIds: [organisationId], whose: "all", today: "2026-12-02" });
  const counting = () => {
    let runs = 0;
    let finish: (value: number) => void = () => {};
    const work = () => {
      runs += 1;
      return new Promise<number>((resolve) => (finish = resolve));
    };
    return { work, runs: () => runs, finish: (value: number) => finish(value) };
  };

  it("works a view out once for many requests that find it missing at the same moment", async () => {
    const figures = counting();
    const asked = Array.from({ length: 20 }, () => keptFigures(view("a"), figures.work));
    figures.finish(7);
    expect(await Promise.all(asked)).toEqual(Array(20).fill(7));
    expect(figures.runs()).toBe(1);
    expect(await keptFigures(view("a"), figures.work)).toBe(7);
    expect(figures.runs()).toBe(1);
  });

  it("does not keep a working-out that failed: the next request tries again", async () => {
    await expect(keptFigures(view("b"), () => Promise.reject(new Error("database gone")))).rejects.toThrow("database gone");
    expect(await keptFigures(view("b"), async () => 3)).toBe(3);
  });

  it("lets go of a working-out still under way when a case of its organisation changes", async () => {
    const before = counting();
    const early = keptFigures(view("c"), before.work);
    caseFiguresChanged("c");
    const after = keptFigures(view("c"), async () => 2);
    before.finish(1);
    expect(await early).toBe(1);
    expect(await after).toBe(2);
    expect(await keptFigures(view("c"), async () => 99)).toBe(2);
  });
});
