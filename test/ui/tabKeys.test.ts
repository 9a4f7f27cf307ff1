import { describe, expect, it } from 'vitest';
import { tabForKey } from '../../src/ui/components/tabKeys';

describe('tabForKey', () => {
  const tabs = ['dataset', 'training', 'viewer'] as const;

  it('moves right and left, wrapping at either end', () => {
    expect(tabForKey(tabs, 'dataset', 'ArrowRight')).toBe('training');
    expect(tabForKey(tabs, 'viewer', 'ArrowRight')).toBe('dataset');
    expect(tabForKey(tabs, 'training', 'ArrowLeft')).toBe('dataset');
    expect(tabForKey(tabs, 'dataset', 'ArrowLeft')).toBe('viewer');
  });

  it('goes to the first and the last with Home and End, and ignores other keys', () => {
    expect(tabForKey(tabs, 'training', 'Home')).toBe('dataset');
    expect(tabForKey(tabs, 'training', 'End')).toBe('viewer');
    expect(tabForKey(tabs, 'training', 'Enter')).toBeNull();
    expect(tabForKey(tabs, 'training', 'ArrowDown')).toBeNull();
  });
});
