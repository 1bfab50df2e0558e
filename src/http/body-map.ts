import { BODY_MAP, BODY_MAP_AREAS, bodyMapZone } from '../domain/report/vocabulary.js';
import { escapeHtml } from './escape.js';

/*
 * The Taser body map, drawn on the server as SVG: the subject from the front (zones 1 to 15)
 * and from behind (zones A to K), each zone numbered or lettered, the chosen ones filled.
 * No script and no inline style (the page's CSP allows neither): the look is classes in
 * public/cedar.css. The picture is one image to assistive technology, named by its title and
 * described by the zones marked; on the question page the checkboxes stay the way to answer.
 */

/** A drawing primitive: a rounded rectangle, or a circle. */
type Shape = { rect: [x: number, y: number, width: number, height: number, radius: number] } | { circle: [cx: number, cy: number, r: number] };

interface Zone {
  code: string;
  shapes: Shape[];
  /** Where the zone's number or letter sits. */
  label: [x: number, y: number];
}

const rect = (x: number, y: number, width: number, height: number, radius = 4): Shape => ({ rect: [x, y, width, height, radius] });

/** The figure's outline, centred on `cx`: a head, a neck, a torso in three bands, arms and legs. */
function zones(cx: number, side: 'front' | 'back'): Zone[] {
  const head: Shape = { circle: [cx, 50, 18] };
  const neck = rect(cx - 8, 66, 16, 16, 2);
  // The viewer's left: the subject's right from the front, their left from behind.
  const [l, r] = [cx - 36, cx];
  const upperArm = (x: number) => rect(x, 84, 16, 54, 6);
  const forearm = (x: number) => rect(x - 1, 140, 17, 66, 7);
  const arm = (x: number) => rect(x - 1, 84, 17, 122, 7);
  if (side === 'front') {
    return [
      { code: 'F1', shapes: [head], label: [cx, 50] },
      { code: 'F2', shapes: [neck], label: [cx, 74] },
      { code: 'F3', shapes: [upperArm(cx - 56)], label: [cx - 48, 111] },
      { code: 'F4', shapes: [rect(l, 82, 36, 48, 6)], label: [cx - 18, 106] },
      { code: 'F5', shapes: [rect(r, 82, 36, 48, 6)], label: [cx + 18, 106] },
      { code: 'F6', shapes: [upperArm(cx + 40)], label: [cx + 48, 111] },
      { code: 'F7', shapes: [forearm(cx - 56)], label: [cx - 48, 173] },
      { code: 'F8', shapes: [rect(l, 130, 36, 42, 2)], label: [cx - 18, 151] },
      { code: 'F9', shapes: [rect(r, 130, 36, 42, 2)], label: [cx + 18, 151] },
      { code: 'F10', shapes: [forearm(cx + 40)], label: [cx + 48, 173] },
      { code: 'F11', shapes: [rect(cx - 36, 172, 72, 26, 6)], label: [cx, 185] },
      { code: 'F12', shapes: [rect(cx - 34, 198, 30, 56, 6)], label: [cx - 19, 226] },
      { code: 'F13', shapes: [rect(cx + 4, 198, 30, 56, 6)], label: [cx + 19, 226] },
      { code: 'F14', shapes: [rect(cx - 32, 256, 26, 62, 6)], label: [cx - 19, 287] },
      { code: 'F15', shapes: [rect(cx + 6, 256, 26, 62, 6)], label: [cx + 19, 287] },
    ];
  }
  return [
    { code: 'BA', shapes: [head, neck], label: [cx, 50] },
    { code: 'BB', shapes: [arm(cx - 56)], label: [cx - 48, 145] },
    { code: 'BC', shapes: [rect(l, 82, 36, 48, 6)], label: [cx - 18, 106] },
    { code: 'BD', shapes: [rect(r, 82, 36, 48, 6)], label: [cx + 18, 106] },
    { code: 'BE', shapes: [arm(cx + 40)], label: [cx + 48, 145] },
    { code: 'BF', shapes: [rect(l, 130, 36, 42, 2)], label: [cx - 18, 151] },
    { code: 'BG', shapes: [rect(r, 130, 36, 42, 2)], label: [cx + 18, 151] },
    { code: 'BH', shapes: [rect(cx - 36, 172, 72, 28, 6)], label: [cx, 186] },
    { code: 'BJ', shapes: [rect(cx - 34, 200, 30, 118, 6)], label: [cx - 19, 259] },
    { code: 'BK', shapes: [rect(cx + 4, 200, 30, 118, 6)], label: [cx + 19, 259] },
  ];
}

const FIGURES = [
  { side: 'front' as const, caption: 'Front', cx: 100 },
  { side: 'back' as const, caption: 'Back', cx: 300 },
];
const ZONES = FIGURES.flatMap((f) => zones(f.cx, f.side));
const WIDTH = 400;
const HEIGHT = 330;

// Every zone of the vocabulary is drawn and named, in the vocabulary's order, and nothing else.
if (ZONES.map((z) => z.code).join() !== BODY_MAP.join() || !BODY_MAP.every((c) => BODY_MAP_AREAS[c])) {
  throw new Error('The body map drawing does not match the body map zones');
}

function shapeMarkup(s: Shape, cls: string): string {
  if ('circle' in s) return `<circle class="${cls}" cx="${s.circle[0]}" cy="${s.circle[1]}" r="${s.circle[2]}"/>`;
  const [x, y, w, h, rx] = s.rect;
  return `<rect class="${cls}" x="${x}" y="${y}" width="${w}" height="${h}" rx="${rx}"/>`;
}

/** What the picture says, in words: the zones marked, or what the map shows when none are. */
export function bodyMapDescription(chosen: readonly string[] | null): string {
  if (chosen === null) return "The subject from the front, zones 1 to 15, and from behind, zones A to K (there is no I). Left and right are the subject's.";
  const marked = BODY_MAP.filter((c) => chosen.includes(c));
  return marked.length ? `Probe strikes marked: ${marked.map(bodyMapZone).join(', ')}.` : 'No probe strikes marked.';
}

/**
 * The body map as an SVG element. `chosen` are the zones to fill (codes outside the map are
 * ignored); null draws the map as a key, with nothing marked and no claim that nothing was.
 */
export function bodyMapSvg(chosen: readonly string[] | null): string {
  const marked = new Set(chosen ?? []);
  const parts: string[] = [];
  for (const f of FIGURES) parts.push(`<text class="cedar-body-figure__caption" x="${f.cx}" y="18">${f.caption}</text>`);
  for (const z of ZONES) {
    const struck = marked.has(z.code);
    const mod = struck ? ' cedar-body-figure__zone--struck' : '';
    parts.push(
      `<g class="cedar-body-figure__area" data-zone="${z.code}"${struck ? ' data-struck="true"' : ''}>` +
        z.shapes.map((s) => shapeMarkup(s, `cedar-body-figure__zone${mod}`)).join('') +
        `<text class="cedar-body-figure__label${struck ? ' cedar-body-figure__label--struck' : ''}" x="${z.label[0]}" y="${z.label[1]}">${z.code.slice(1)}</text>` +
        `<title>${escapeHtml(`${bodyMapZone(z.code)}${struck ? ': marked' : ''}`)}</title>` +
        `</g>`,
    );
  }
  const title = chosen === null ? 'Body map of probe strike zones' : 'Body map of where the probes struck';
  return (
    `<svg class="cedar-body-figure" role="img" focusable="false" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" xmlns="http://www.w3.org/2000/svg">` +
    `<title>${escapeHtml(title)}</title><desc>${escapeHtml(bodyMapDescription(chosen))}</desc>` +
    parts.join('') +
    `</svg>`
  );
}
