import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createViews } from '../../src/http/views.js';

/* The page templates' environment: its own trim filter, the macros kept per imported file and the relative names resolved once. */
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

  it('resolves a relative template name as Nunjucks does, and the same answer again without path.resolve', () => {
    const loaders = (env as unknown as { loaders: { resolve: (from: string, to: string) => string }[] }).loaders;
    expect(loaders.length).toBeGreaterThan(0);
    for (const loader of loaders) {
      const from = '/srv/views/govuk/components/button/template.njk';
      expect(loader.resolve(from, '../../macros/attributes.njk')).toBe(path.resolve(path.dirname(from), '../../macros/attributes.njk'));
      expect(loader.resolve(from, './other.njk')).toBe('/srv/views/govuk/components/button/other.njk');
      expect(loader.resolve('/a/b.njk', './other.njk')).toBe('/a/other.njk');
      expect(loader.resolve(from, '../../macros/attributes.njk')).toBe('/srv/views/govuk/macros/attributes.njk');
    }
    // A GOV.UK component that imports its macros by relative name renders, twice.
    const page = '{% from "govuk/components/button/macro.njk" import govukButton %}{{ govukButton({ text: label, attributes: { "data-x": label } }) }}';
    expect(env.renderString(page, { label: 'Save' })).toContain('data-x="Save"');
    expect(env.renderString(page, { label: 'Send' })).toContain('data-x="Send"');
  });
});
