import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { prepared } from '../../src/db/sqlite.js';

/* The SQLite driver keeps prepared statements per connection (a pure SQLite concern: no PostgreSQL twin). */
describe('prepared statements kept per connection', () => {
  it('gives the same statement for the same SQL on one connection, another on another connection', () => {
    const a = new SQLite(':memory:');
    const b = new SQLite(':memory:');
    expect(prepared(a, 'select 1 as x')).toBe(prepared(a, 'select 1 as x'));
    expect(prepared(a, 'select 1 as x')).not.toBe(prepared(b, 'select 1 as x'));
    expect(prepared(a, 'select 2 as x')).not.toBe(prepared(a, 'select 1 as x'));
  });

  it('still runs a kept statement after the schema changes under it', () => {
    const db = new SQLite(':memory:');
    db.exec('create table t (a integer)');
    db.exec('insert into t values (1)');
    expect(prepared(db, 'select * from t').all()).toEqual([{ a: 1 }]);
    db.exec('alter table t add column b text');
    db.exec("update t set b = 'x'");
    expect(prepared(db, 'select * from t').all()).toEqual([{ a: 1, b: 'x' }]);
  });

  it('keeps at most 500, dropping the least recently used, and never a very long statement', () => {
    const db = new SQLite(':memory:');
    const first = prepared(db, 'select 0');
    for (let i = 1; i <= 500; i++) prepared(db, `select ${i}`);
    expect(prepared(db, 'select 0')).not.toBe(first); // pushed out by 500 newer ones
    const recent = prepared(db, 'select 500');
    expect(prepared(db, 'select 500')).toBe(recent);
    const long = `select '${'x'.repeat(20_001)}'`;
    expect(prepared(db, long)).not.toBe(prepared(db, long));
  });
});
