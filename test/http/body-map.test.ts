import { describe, expect, it } from 'vitest';
import { BODY_MAP, BODY_MAP_AREAS } from '../../src/domain/report/vocabulary.js';
import { bodyMapDescription, bodyMapSvg } from '../../src/http/body-map.js';

const zones = (svg: string) => [...svg.matchAll(/data-zone="(\w+)"/g)].map((m) => m[1]);
const struck = (svg: string) => [...svg.matchAll(/data-zone="(\w+)" data-struck="true"/g)].map((m) => m[1]);

describe('the body map SVG', () => {
  it('draws every zone of the vocabulary once, numbered or lettered, and names its area', () => {
    const svg = bodyMapSvg(null);
    expect(zones(svg)).toEqual(BODY_MAP);
    for (const code of BODY_MAP) {
      expect(BODY_MAP_AREAS[code]).toBeTruthy();
      expect(svg).toContain(`>${code.slice(1)}</text><title>${code.startsWith('F') ? 'Front' : 'Back'} ${code.slice(1)} (${BODY_MAP_AREAS[code]})</title>`);
    }
  });

  it('is one image to assistive technology, with a title and a description, and no inline style or script (strict CSP)', () => {
    const svg = bodyMapSvg(['F4']);
    expect(svg).toMatch(/^<svg class="cedar-body-figure" role="img" focusable="false" viewBox="0 0 400 330"/);
    expect(svg).toContain('<title>Body map of where the probes struck</title><desc>Probe strikes marked: Front 4 (right chest).</desc>');
    expect(svg).not.toMatch(/style=|<style|<script|\son\w+=/);
  });

  it.each<{ chosen: string[] | null; struck: string[]; desc: string }>([
    { chosen: null, struck: [], desc: "The subject from the front, zones 1 to 15, and from behind, zones A to K (there is no I). Left and right are the subject's." },
    { chosen: [], struck: [], desc: 'No probe strikes marked.' },
    { chosen: ['BK', 'F7'], struck: ['F7', 'BK'], desc: 'Probe strikes marked: Front 7 (right forearm and hand), Back K (right leg).' },
    { chosen: ['F7', 'F7', 'BI', '<script>', 'Front 1'], struck: ['F7'], desc: 'Probe strikes marked: Front 7 (right forearm and hand).' },
  ])('marks $chosen as $struck', ({ chosen, struck: expected, desc }) => {
    const svg = bodyMapSvg(chosen);
    expect(struck(svg)).toEqual(expected);
    expect(bodyMapDescription(chosen)).toBe(desc);
    expect(svg.match(/cedar-body-figure__zone--struck/g)?.length ?? 0).toBe(expected.includes('BA') ? expected.length + 1 : expected.length);
    expect(svg).not.toContain('<script>');
  });
});
