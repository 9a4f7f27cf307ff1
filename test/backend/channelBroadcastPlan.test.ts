import { describe, expect, it } from 'vitest';
import { channelBroadcastPlan } from '../../src/backend/webgpuKernels/channelBroadcast';

const f32 = (...shape: number[]) => ({ shape, dtype: 'float32' });

describe('channelBroadcastPlan', () => {
  it('takes a tensor with a per-channel vector on either side', () => {
    expect(channelBroadcastPlan(f32(2, 64, 128, 64), f32(64))).toEqual({ full: 'a', channels: 64, outShape: [2, 64, 128, 64] });
    expect(channelBroadcastPlan(f32(64), f32(2, 64, 128, 64))).toEqual({ full: 'b', channels: 64, outShape: [2, 64, 128, 64] });
    expect(channelBroadcastPlan(f32(3, 5, 7), f32(1, 1, 7))).toEqual({ full: 'a', channels: 7, outShape: [3, 5, 7] });
    expect(channelBroadcastPlan(f32(1, 1, 1, 3), f32(1, 4, 5, 3))).toMatchObject({ full: 'b', channels: 3 });
  });

  it('leaves same shapes, scalars, one channel, other broadcasts and other types to the built-in kernel', () => {
    expect(channelBroadcastPlan(f32(2, 3, 4), f32(2, 3, 4))).toBeNull();
    expect(channelBroadcastPlan(f32(2, 3, 4), f32())).toBeNull();
    expect(channelBroadcastPlan(f32(2, 3, 1), f32(1))).toBeNull();
    expect(channelBroadcastPlan(f32(2, 3, 4), f32(3, 1))).toBeNull();
    expect(channelBroadcastPlan(f32(2, 3, 4), f32(3, 4))).toBeNull();
    expect(channelBroadcastPlan(f32(4), f32(4))).toBeNull();
    expect(channelBroadcastPlan(f32(1, 4), f32(4))).toBeNull();
    expect(channelBroadcastPlan({ shape: [2, 4], dtype: 'int32' }, f32(4))).toBeNull();
    expect(channelBroadcastPlan(f32(2, 4), { shape: [4], dtype: 'bool' })).toBeNull();
  });
});
