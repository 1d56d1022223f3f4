/** The slice of better-sqlite3 the benchmark uses (the package ships no types; @types is not a dependency). */
declare module 'better-sqlite3' {
  interface Statement {
    run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
    get(...params: unknown[]): unknown;
    all(...params: unknown[]): unknown[];
  }
  interface DatabaseOptions {
    readonly?: boolean;
    timeout?: number;
  }
  class Database {
    constructor(filename: string, options?: DatabaseOptions);
    prepare(sql: string): Statement;
    pragma(source: string, options?: { simple?: boolean }): unknown;
    transaction<F extends (...args: never[]) => unknown>(fn: F): F;
    exec(sql: string): this;
    close(): void;
  }
  export default Database;
}
