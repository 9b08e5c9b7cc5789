// What a page downloads: the optimised .wasm and its JS glue (web target), raw and gzip -9.
import { AIM_GZIP_BYTES, BUDGET_GZIP_BYTES, packageSizes } from '../scripts/size-budget.mjs';

export default async function () {
  const { wasm, glue, snippetFiles, totalGzip } = packageSizes();
  return [
    { key: 'wasm_bytes', value: wasm.raw, unit: 'bytes', label: 'qingcloud_useradd_bg.wasm (wasm-opt -O4)' },
    { key: 'wasm_gzip_bytes', value: wasm.gzip, unit: 'bytes', label: '  gzip -9' },
    { key: 'glue_bytes', value: glue.raw, unit: 'bytes', label: `qingcloud_useradd.js${snippetFiles ? ` + ${snippetFiles} snippet file(s)` : ''} (glue, as wasm-bindgen writes it)` },
    { key: 'glue_gzip_bytes', value: glue.gzip, unit: 'bytes', label: '  gzip -9' },
    { key: 'total_gzip_bytes', value: totalGzip, unit: 'bytes', label: 'wasm + glue, gzip -9', note: `budget ${BUDGET_GZIP_BYTES}, aim ${AIM_GZIP_BYTES}` },
    { key: 'size_budget_gzip_bytes', value: BUDGET_GZIP_BYTES, unit: 'bytes', label: 'size budget (npm test)' },
    { key: 'size_aim_gzip_bytes', value: AIM_GZIP_BYTES, unit: 'bytes', label: 'size aim (not enforced)' },
  ];
}
