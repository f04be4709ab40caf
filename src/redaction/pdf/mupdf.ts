/**
 * MuPDF.js, loaded on first use: it is a 14 MB WebAssembly module (about 0.2 s and 80 MB to load),
 * which a server that never redacts should not pay for.
 */
import type * as MuPdfModule from "mupdf";

type MuPdf = typeof MuPdfModule;

let loading: Promise<MuPdf> | undefined;

export function loadMupdf(): Promise<MuPdf> {
  loading ??= import("mupdf");
  return loading;
}

/**
 * Errors thrown inside the WebAssembly carry the whole minified glue as their stack (tens of kB):
 * keep the message only.
 */
export function mupdfMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}
