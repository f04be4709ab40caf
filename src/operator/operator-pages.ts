import type { FastifyReply, FastifyRequest } from "fastify";

/** The console's navigation: its own, apart from a school's (sign out sits beside it, in the layout). */
const NAVIGATION = [
  { href: "/operator", text: "Licences", also: "/operator/licences/" },
  { href: "/operator/health", text: "Platform health", also: "/operator/health/" },
];

/**
 * Renders a page of the operator's console (its template extends operator/views/layout.njk): the
 * signed-in operator and the console's navigation beside the page's own context. For every
 * console page, the licence pages (src/licences/) included.
 */
export function operatorPage(request: FastifyRequest, reply: FastifyReply, template: string, context: Record<string, unknown> = {}, status?: number): FastifyReply {
  const path = request.url.split("?")[0] ?? "";
  return reply.page(
    template,
    {
      ...context,
      operator: request.operator,
      operatorNavigation: request.operator
        ? NAVIGATION.map(({ href, text, also }) => ({ href, text, active: path === href || path.startsWith(also) }))
        : [],
    },
    status,
  );
}
