import { describe, expect, it } from 'vitest';
import { createViews } from '../../src/http/views.js';

/* The page templates' environment: its own trim filter and the macros kept per imported file. */
describe('the templates environment', () => {
  const env = createViews();

  it('trims as Nunjucks does, keeping what is already safe unescaped and escaping the rest', () => {
    expect(env.renderString('[{{ "  a b \\n\\t" | trim }}]', {})).toBe('[a b]');
    expect(env.renderString('[{{ html | safe | trim }}]', { html: '  <b>x</b>\n' })).toBe('[<b>x</b>]');
    expect(env.renderString('[{{ html | trim }}]', { html: ' <b>x</b> ' })).toBe('[&lt;b&gt;x&lt;/b&gt;]');
  });

  it('gives a kept macro its own arguments on every call, in every render', () => {
    const page = '{% from "govuk/components/tag/macro.njk" import govukTag %}{{ govukTag({ text: word, classes: "govuk-tag--" + colour }) }}';
    const first = env.renderString(page, { word: 'Issued', colour: 'green' });
    const second = env.renderString(page, { word: 'Quarantined', colour: 'red' });
    expect(first).toContain('govuk-tag--green');
    expect(first).toContain('Issued');
    expect(second).toContain('govuk-tag--red');
    expect(second).toContain('Quarantined');
    expect(second).not.toContain('Issued');
  });
});
