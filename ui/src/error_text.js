// How the error bar words an error. Core writes its messages in English
// (they also reach the command line and the logs); on a French page the
// bar first says what happened in French, from the error's code (and, for a
// refused file, its file, line and column), then gives core's words as the
// detail, marked as English so a screen reader pronounces them as such
// (WCAG 3.1.2). DOM-free: tested under node (tests/ui/error_text.test.mjs).

/** Where a refused file was refused, from core's `FILE:LINE: column NAME: what`. */
const IMPORT_AT = /^(.*?):(\d+): (?:column (.+?): )?([\s\S]*)$/;

/** {lead, detail, detailLang} for `err` on a page in `pageLang`, `t`
 * translating keys. `lead` is null when the detail is already in the
 * page's language (errors DoseDesk's page wrote itself, and every English
 * page); `detailLang` is the detail's language. A view that knows better
 * than the code what happened says so in `err.lead` (page language). */
export function errorWords(err, pageLang, t) {
  const detailLang = err.detail_lang ?? pageLang;
  if (detailLang === pageLang) return { lead: null, detail: err.message, detailLang };
  if (err.lead) return { lead: err.lead, detail: err.message, detailLang };
  if (err.code === 'import_invalid') {
    const at = IMPORT_AT.exec(err.message);
    if (at) {
      const [, file, line, column, what] = at;
      const key = column ? 'error.lead.import_invalid_column' : 'error.lead.import_invalid_line';
      return { lead: t(key, { file, line, column }), detail: what, detailLang };
    }
  }
  const key = `error.lead.${err.code}`;
  const lead = t(key);
  return { lead: lead === key ? t('error.lead.unexpected') : lead, detail: err.message, detailLang };
}
