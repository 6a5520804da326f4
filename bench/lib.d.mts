// Types of bench/lib.mjs for the TypeScript bench scripts (tsc --noEmit covers bench/).
export declare const root: string;
export declare const work: string;
export declare const corpus: string;
export declare const NGINX: string;
export declare const SITES: number;
export declare const COMBINED_HOST: string;
export declare function ensureDist(): void;
export declare function ms(ns: bigint | number): number;
export declare function percentile(values: readonly number[], p: number): number;
export declare function fmt(x: number | undefined, d?: number): string;
export declare function mark(ok: boolean): string;
export declare function timed(
  cmd: string,
  args: readonly string[],
  options?: { cwd?: string; stdoutFile?: string; env?: NodeJS.ProcessEnv },
): { wall: number; cpu: number; rssMB: number; status: number | null; stderr: string };
export declare function machine(): { date: string; nproc: string; cpu: string; mem: string; free: string; node: string; load: string; commit: string };
export declare function record(title: string, rows: [string, string][], notes?: string[]): void;
export declare function bigConfig(): { dir: string; conf: string; hosts: string[]; files: number; lines: number; site: (i: number) => string };
export declare function fileSize(p: string): number;
