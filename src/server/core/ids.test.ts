import { expect, it, vi } from 'vitest';
import { idFloorAt, newId } from './ids.ts';

it('makes unique UUIDv7-style ids that sort in the order they were made', () => {
  const ids = Array.from({ length: 20_000 }, () => newId());
  expect(new Set(ids).size).toBe(ids.length);
  expect([...ids].sort()).toEqual(ids);
  for (const id of ids.slice(0, 100)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  // The time prefix is now's.
  expect(Math.abs(parseInt(ids[0]!.replace('-', '').slice(0, 12), 16) - Date.now())).toBeLessThan(60_000);
});

it('gives the floor of a millisecond: every id made in it or later sorts at or above it, every earlier one below', () => {
  const before = Date.now();
  const ids = Array.from({ length: 5_000 }, () => newId());
  const after = Date.now();
  for (const id of ids) {
    expect(id >= idFloorAt(before)).toBe(true);
    expect(id < idFloorAt(after + 1)).toBe(true);
  }
  const made = parseInt(ids[0]!.replace('-', '').slice(0, 12), 16);
  expect(ids[0]! < idFloorAt(made + 1)).toBe(true);
  expect(ids[0]! >= idFloorAt(made)).toBe(true);
  expect(idFloorAt(made - 1) < idFloorAt(made)).toBe(true);
});

it('keeps ids in order when many are made in one millisecond, or while the clock steps back', () => {
  const clock = vi.spyOn(Date, 'now');
  try {
    // Far more than 4,096 in one millisecond (a 12-bit counter wrapped here and sorted them wrong).
    clock.mockReturnValue(Date.UTC(2026, 11, 3, 12, 0, 0));
    const burst = Array.from({ length: 50_000 }, () => newId());
    // The clock steps back a second: still after every id before.
    clock.mockReturnValue(Date.UTC(2026, 11, 3, 11, 59, 59));
    const after = Array.from({ length: 10 }, () => newId());
    const ids = [...burst, ...after];
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id.slice(0, 13)).toBe(burst[0]!.slice(0, 13));
  } finally {
    clock.mockRestore();
  }
});
