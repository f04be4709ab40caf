/*
 * The dashboard's case figures, kept for a few seconds. They are counts, references and dates
 * (no one's name), worked out from every case of the school or trust: far more work than one
 * page view should repeat when a trust's staff open the dashboard together. Kept per exact view
 * (which organisations, whose cases: everyone's or one person's own, and today's date), so a
 * person sees only what their role shows them at that moment: the view is decided from the actor
 * loaded on each request, never from what was kept. Any change to a case in this process lets go
 * of the views that include its organisation at once; another app process's change shows within
 * FIGURES_KEPT_MS.
 */

/** How long a view's figures are kept at most. */
export const FIGURES_KEPT_MS = 5_000;
const MOST_VIEWS = 1_000;

const kept = new Map<string, { until: number; organisationIds: readonly string[]; figures: Promise<unknown> }>();

/**
 * A view's figures, worked out again only if not kept or older than FIGURES_KEPT_MS. Requests
 * that find the same view missing at the same moment share one working-out, instead of each
 * starting its own (at a trust's size, a hundred people's dashboards at once would otherwise
 * each count every case when the kept figures lapse). A working-out that fails is not kept.
 */
export function keptFigures<T>(view: { organisationIds: readonly string[]; whose: string; today: string }, work: () => Promise<T>): Promise<T> {
  const key = JSON.stringify([[...view.organisationIds].sort(), view.whose, view.today]);
  const now = performance.now();
  const found = kept.get(key);
  if (found && found.until > now) {
    return found.figures as Promise<T>;
  }
  if (kept.size >= MOST_VIEWS) {
    kept.clear();
  }
  const figures = work();
  const entry = { until: now + FIGURES_KEPT_MS, organisationIds: view.organisationIds, figures };
  kept.set(key, entry);
  figures.catch(() => {
    if (kept.get(key) === entry) kept.delete(key);
  });
  return figures;
}

/** A case of this organisation changed: views that count it are worked out afresh. */
export function caseFiguresChanged(organisationId: string): void {
  for (const [key, view] of kept) {
    if (view.organisationIds.includes(organisationId)) {
      kept.delete(key);
    }
  }
}
