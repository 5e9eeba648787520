/**
 * Resource quantities (`500m`, `1Gi`, `1e3`) in the canonical form the API server writes back:
 * the value is kept exactly (rounded up to 1n), trailing zeros move into the suffix, decimal
 * suffixes are powers of 1000, and binary quantities stay binary only when they are whole and at
 * least 1Ki (`1024Mi` becomes `1Gi`, `0.5Gi` becomes `512Mi`, `0.5Ki` becomes `512`).
 */

export const QUANTITY_SYNTAX = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_BY_POWER = new Map(Object.entries(BINARY_SUFFIXES).map(([s, p]) => [p, s]));

type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

interface ParsedQuantity {
  /** value = mantissa * 10^scale */
  mantissa: bigint;
  scale: number;
  format: QuantityFormat;
}

export class QuantityError extends Error {}

function parse(text: string): ParsedQuantity {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new QuantityError(QUANTITY_SYNTAX);
  const sign = m[1] === '-' ? -1n : 1n;
  const fraction = m[3] ?? '';
  let mantissa = BigInt(`${m[2] || '0'}${fraction}`) * sign;
  let scale = -fraction.length;
  const suffix = m[4] ?? '';
  let format: QuantityFormat;
  if (suffix in BINARY_SUFFIXES) {
    mantissa *= 1024n ** BigInt(BINARY_SUFFIXES[suffix] as number);
    format = 'BinarySI';
  } else if (suffix in DECIMAL_SUFFIXES) {
    scale += DECIMAL_SUFFIXES[suffix] as number;
    format = 'DecimalSI';
  } else {
    const e = /^[eE]([-+]?\d+)$/.exec(suffix);
    if (!e) throw new QuantityError(QUANTITY_SYNTAX);
    scale += Number(e[1]);
    format = 'DecimalExponent';
  }
  if (scale < -9) {
    const divisor = 10n ** BigInt(-9 - scale);
    const rest = mantissa % divisor;
    mantissa = mantissa / divisor + (rest > 0n ? 1n : rest < 0n ? -1n : 0n);
    scale = -9;
  }
  return { mantissa, scale, format };
}

function abs(v: bigint): bigint {
  return v < 0n ? -v : v;
}

/** The canonical text of a quantity; throws QuantityError when the text is not one. */
export function canonicalQuantity(text: string): string {
  const q = parse(text);
  if (q.mantissa === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const wholeValue = q.scale >= 0 ? q.mantissa * 10n ** BigInt(q.scale) : q.mantissa % 10n ** BigInt(-q.scale) === 0n ? q.mantissa / 10n ** BigInt(-q.scale) : undefined;
    if (wholeValue === undefined || abs(wholeValue) < 1024n) {
      format = 'DecimalSI';
    } else {
      let amount = wholeValue;
      let power = 0;
      while (power < 6 && amount % 1024n === 0n) {
        amount /= 1024n;
        power++;
      }
      return `${amount}${BINARY_BY_POWER.get(power) ?? ''}`;
    }
  }
  let mantissa = q.mantissa;
  let exponent = q.scale;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  const down = ((exponent % 3) + 3) % 3;
  mantissa *= 10n ** BigInt(down);
  exponent -= down;
  if (format === 'DecimalSI') {
    const suffix = DECIMAL_BY_EXPONENT.get(exponent);
    if (suffix !== undefined) return `${mantissa}${suffix}`;
  }
  return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
}
