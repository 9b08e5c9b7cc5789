// What a page downloads: the optimised .wasm and its JS glue (web target), raw and gzip -9.
import { BUDGET_GZIP_BYTES, packageSizes } from '../scripts/size-budget.mjs';

export default async function () {
  const { wasm, glue, totalGzip } = packageSizes();
  return [
    { key: 'wasm_bytes', value: wasm.raw, unit: 'bytes', label: 'qingcloud_useradd_bg.wasm (wasm-opt -O4)' },
    { key: 'wasm_gzip_bytes', value: wasm.gzip, unit: 'bytes', label: '  gzip -9' },
    { key: 'glue_bytes', value: glue.raw, unit: 'bytes', label: 'qingcloud_useradd.js + snippets (glue, minified)' },
    { key: 'glue_gzip_bytes', value: glue.gzip, unit: 'bytes', label: '  gzip -9' },
    { key: 'total_gzip_bytes', value: totalGzip, unit: 'bytes', label: 'wasm + glue, gzip -9', note: `budget ${BUDGET_GZIP_BYTES}` },
    { key: 'size_budget_gzip_bytes', value: BUDGET_GZIP_BYTES, unit: 'bytes', label: 'size budget (npm test)' },
  ];
}
