/**
 * Editing a label scheme as text: class values are typed as a list ("6, 7" for channel ids,
 * "#804080 #00008e" for palette colours), checked, and turned back into numbers.
 */
import type { LabelScheme } from './labelScheme';

export const MAX_SCHEME_CLASSES = 32;

const hex6 = (v: number) => `#${v.toString(16).padStart(6, '0')}`;

/** A class's values as the editor shows them. */
export function formatValues(values: readonly number[], kind: LabelScheme['kind']): string {
  return values.map((v) => (kind === 'rgb-palette' ? hex6(v) : String(v))).join(', ');
}

/** Parses a typed value list; throws with the offending item on a bad one. Ranges like "26-33" are allowed for ids. */
export function parseValues(text: string, kind: LabelScheme['kind']): number[] {
  const out: number[] = [];
  for (const raw of text.split(/[\s,;]+/)) {
    const item = raw.trim();
    if (item === '') continue;
    if (kind === 'rgb-palette') {
      const m = /^#?([0-9a-f]{6})$/i.exec(item) ?? null;
      const rgb = /^(\d{1,3})[/:](\d{1,3})[/:](\d{1,3})$/.exec(item);
      if (m) out.push(parseInt(m[1]!, 16));
      else if (rgb && [rgb[1], rgb[2], rgb[3]].every((c) => Number(c) <= 255)) out.push((Number(rgb[1]) << 16) | (Number(rgb[2]) << 8) | Number(rgb[3]));
      else throw new Error(`"${item}" is not a colour: write #rrggbb or r/g/b`);
      continue;
    }
    const range = /^(\d{1,3})-(\d{1,3})$/.exec(item);
    if (range) {
      const a = Number(range[1]);
      const b = Number(range[2]);
      if (a > b || b > 255) throw new Error(`"${item}" is not a range of values 0-255`);
      for (let v = a; v <= b; v++) out.push(v);
      continue;
    }
    if (!/^\d{1,3}$/.test(item) || Number(item) > 255) throw new Error(`"${item}" is not a label value 0-255`);
    out.push(Number(item));
  }
  return [...new Set(out)];
}

/** What is wrong with a scheme (empty when it can be used). */
export function schemeProblems(scheme: LabelScheme): string[] {
  const problems: string[] = [];
  const { classes } = scheme;
  if (classes.length < 2) problems.push('at least two classes are needed');
  if (classes.length > MAX_SCHEME_CLASSES) problems.push(`at most ${MAX_SCHEME_CLASSES} classes`);
  if (!Number.isInteger(scheme.restClass) || scheme.restClass < 0 || scheme.restClass >= classes.length) problems.push('choose which class takes all other values');
  const names = new Map<string, number>();
  const owner = new Map<number, string>();
  classes.forEach((c, i) => {
    const name = c.name.trim();
    if (name === '') problems.push(`class ${i + 1} has no name`);
    else if (names.has(name.toLowerCase())) problems.push(`two classes are named "${name}"`);
    names.set(name.toLowerCase(), i);
    if (i !== scheme.restClass && c.values.length === 0) problems.push(`"${name || `class ${i + 1}`}" has no label values`);
    for (const v of c.values) {
      const shown = formatValues([v], scheme.kind);
      const other = owner.get(v);
      if (other !== undefined) problems.push(`value ${shown} is in both "${other}" and "${name}"`);
      owner.set(v, name);
    }
  });
  if (scheme.kind === 'channel-id' && ![0, 1, 2].includes(scheme.channel)) problems.push('the channel must be red, green or blue');
  return problems;
}

/** Whether two schemes decode labels the same way (names and colours aside). */
export function sameDecoding(a: LabelScheme, b: LabelScheme): boolean {
  if (a.kind !== b.kind || a.restClass !== b.restClass || a.classes.length !== b.classes.length) return false;
  if (a.kind === 'channel-id' && a.channel !== b.channel) return false;
  if (a.hoodValue !== b.hoodValue) return false;
  return a.classes.every((c, i) => {
    const d = b.classes[i]!;
    return c.values.length === d.values.length && c.values.every((v) => d.values.includes(v));
  });
}
