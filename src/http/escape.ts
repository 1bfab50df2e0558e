/**
 * Text put into markup Cedar writes by hand (SVG charts, the body map, a line of HTML passed to
 * a GOV.UK macro as `html`): `&`, `<`, `>`, `"` and `'` as entities, so a value is shown as
 * text in an element or an attribute and never read as markup. Templates do not need it:
 * Nunjucks escapes every value itself (autoescape).
 */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
