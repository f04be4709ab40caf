/** The GOV.UK pagination component's parameters for page `page` of `pages`; nothing when there is one page. */
export interface Pagination {
  previous?: { href: string };
  next?: { href: string };
  items: ({ number: number; href: string; current: boolean } | { ellipsis: true })[];
}

/**
 * Links to the first and last pages and those either side of the current one, with an ellipsis
 * for each gap, as the GOV.UK Design System's pagination pattern shows them.
 */
export function paginationOf(page: number, pages: number, hrefOf: (page: number) => string): Pagination | null {
  if (pages <= 1) {
    return null;
  }
  const shown = [...new Set([1, page - 1, page, page + 1, pages])].filter((number) => number >= 1 && number <= pages).sort((a, b) => a - b);
  const items: Pagination["items"] = [];
  for (const [index, number] of shown.entries()) {
    if (index > 0 && number - shown[index - 1]! > 1) {
      items.push({ ellipsis: true });
    }
    items.push({ number, href: hrefOf(number), current: number === page });
  }
  return {
    ...(page > 1 ? { previous: { href: hrefOf(page - 1) } } : {}),
    ...(page < pages ? { next: { href: hrefOf(page + 1) } } : {}),
    items,
  };
}

/** A query string of the filter's values that are set, in a stable order. */
export function filterQuery(filter: Record<string, string | number | undefined>): string {
  return new URLSearchParams(
    Object.entries(filter)
      .filter(([, value]) => value !== undefined && value !== "")
      .map(([name, value]) => [name, String(value)]),
  ).toString();
}
