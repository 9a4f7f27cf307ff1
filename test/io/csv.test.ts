import { describe, expect, it } from 'vitest';
import { csvCell, csvTable } from '../../src/io/csv';

describe('csvCell', () => {
  it('quotes commas, quotes and line breaks, and leaves the rest', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(NaN)).toBe('');
    expect(csvCell(Infinity)).toBe('');
    expect(csvCell(-0.5)).toBe('-0.5');
  });
});

describe('csvTable', () => {
  it('writes the header and the rows, each line ended by CRLF', () => {
    expect(csvTable(['frame', 'score'], [['a,b.png', 0.25], ['c.png', NaN]])).toBe('frame,score\r\n"a,b.png",0.25\r\nc.png,\r\n');
    expect(csvTable(['frame'], [])).toBe('frame\r\n');
  });
});
