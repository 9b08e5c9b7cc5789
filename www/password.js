// Password generation with crypto.getRandomValues: uniform choices (rejection sampling, no modulo
// bias), at least one character of every class, a letter first, shuffled with Fisher–Yates.

const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';

/**
 * Each API's policy. ClickHouse: printable ASCII without spaces, not starting with a digit (symbols
 * that need no quoting in a shell or JSON are used). EHPC: 12 to 30 letters, digits and !@#%^&()*.
 */
export const POLICIES = {
  clickhouse: { length: 20, classes: [LOWER, UPPER, DIGITS, '!@#%^&*()-_=+'] },
  ehpc: { length: 16, classes: [LOWER, UPPER, DIGITS, '!@#%^&()*'] },
};

/** A uniformly random integer in [0, n). */
export function randomIndex(n) {
  const limit = Math.floor(0x1_0000_0000 / n) * n;
  const word = new Uint32Array(1);
  do {
    crypto.getRandomValues(word);
  } while (word[0] >= limit);
  return word[0] % n;
}

const pick = (alphabet) => alphabet[randomIndex(alphabet.length)];

/** A password for `policy`: one of `POLICIES`. */
export function generatePassword(policy) {
  const { length, classes } = policy;
  const all = classes.join('');
  const chars = classes.map(pick);
  while (chars.length < length - 1) chars.push(pick(all));
  for (let i = chars.length - 1; i > 0; i -= 1) {
    const j = randomIndex(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  // ClickHouse refuses a leading digit; a leading letter suits both APIs.
  return pick(LOWER + UPPER) + chars.join('');
}
