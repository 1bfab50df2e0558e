import { describe, expect, it } from 'vitest';
import { safeNext } from '../../src/http/forms.js';

/**
 * Where sign-in may send a person afterwards: a path on this site, or Home. Each value is
 * what arrives in `next` after the query string or form body is decoded.
 */
describe('safeNext', () => {
  const offSite: [string, unknown][] = [
    ['a tab after the first slash (issue 10: /%09/evil.example/phish)', '/\t/evil.example/phish'],
    ['a newline after the first slash (issue 10: /%0A/x gave a 500)', '/\n/x'],
    ['a carriage return after the first slash', '/\r/evil.example'],
    ['a protocol-relative address', '//evil.example'],
    ['a protocol-relative address with a path', '//evil.example/phish'],
    ['a backslash after the slash', '/\\evil.example'],
    ['two backslashes', '\\\\evil.example'],
    ['tab then backslash', '/\t\\evil.example'],
    ['a dot segment that leaves two slashes', '/.//evil.example'],
    ['a dot-dot segment that leaves two slashes', '/x/..//evil.example'],
    ['an absolute address', 'https://evil.example/phish'],
    ['a scheme without slashes', 'https:evil.example'],
    ['javascript', 'javascript:alert(1)'],
    ['a data URL', 'data:text/html,<script>alert(1)</script>'],
    ['a relative path', 'officers'],
    ['an empty string', ''],
    ['leading space then //', ' //evil.example'],
    ['not a string', ['/officers']],
    ['undefined', undefined],
  ];
  it.each(offSite)('sends %s Home', (_what, value) => {
    expect(safeNext(value)).toBe('/');
  });

  const onSite: [string, string, string][] = [
    ['a plain path', '/officers', '/officers'],
    ['a path with a query string', '/officers?q=patel&page=2', '/officers?q=patel&page=2'],
    ['encoded slashes stay encoded (a path on this site)', '/%2F%2Fevil', '/%2F%2Fevil'],
    ['an encoded tab stays encoded', '/%09/evil.example/phish', '/%09/evil.example/phish'],
    ['dot segments are resolved', '/reports/../officers', '/officers'],
    ['a tab inside a path is dropped, as a browser would', '/offi\tcers', '/officers'],
    ['non-ASCII is percent-encoded, so the header is always valid', '/officers?q=Ó Brien', '/officers?q=%C3%93%20Brien'],
    ['a fragment is dropped', '/reports/1#section', '/reports/1'],
  ];
  it.each(onSite)('keeps %s', (_what, value, expected) => {
    expect(safeNext(value)).toBe(expected);
  });

  it('never returns anything a Location header cannot carry or a browser resolves off-site', () => {
    const tricky = ['/\u0000x', '/\u2028x', '/\u00a0//x', '/ /x', '/%0d%0aSet-Cookie:x=1', '/\t\t//x', '/;//x'];
    for (const value of tricky) {
      const out = safeNext(value);
      expect(out, JSON.stringify(value)).toMatch(/^\/(?![/\\])[\x21-\x7e]*$|^\/$/);
      expect(new URL(out, 'https://cedar.example').origin).toBe('https://cedar.example');
    }
  });
});
