// What the page keeps of a failure: the package's error fields, or the text of anything else thrown.

/**
 * `error` as `{ code, message, retCode }`: a package error (`isQingCloudError(error)`) keeps its
 * code and ret_code; anything else is 'unknown'.
 */
export function describeError(error, isQingCloudError = () => false) {
  if (isQingCloudError(error)) return { code: error.code, message: error.message, retCode: error.retCode };
  return { code: 'unknown', message: String(error?.message ?? error) };
}
