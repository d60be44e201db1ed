/**
 * IEEE 754 half precision (float16), for stored vectors: half the bytes of float32. Each component
 * keeps an 11-bit significand (within 2^-11 of itself, relatively), so a unit vector's cosine stays
 * within 2^-11 ≈ 5e-4 of the float32 one (about 1e-5 in practice, as errors cancel), inside the int8
 * error the first pass already tolerates. Node 20 has no Float16Array: the
 * conversion is by bits one way and by a table the other.
 */

const float = new Float32Array(1);
const bits = new Uint32Array(float.buffer);

/** `value` as float16 bits, rounded to nearest even (overflow goes to ±Infinity, NaN stays NaN). */
export function toHalf(value: number): number {
  float[0] = value;
  const x = bits[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half (or zero): shift the implicit bit in, round to nearest even.
    if (e < -10) return sign;
    const m = mantissa | 0x800000;
    const shift = 14 - e;
    const half = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    return sign | (rest > midpoint || (rest === midpoint && half & 1) ? half + 1 : half);
  }
  const half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa rounds up into the exponent, as it should.
  return sign | (rest > 0x1000 || (rest === 0x1000 && half & 1) ? half + 1 : half);
}

/** Every float16 bit pattern as its float32 value. */
export const HALF_TO_FLOAT: Float32Array = (() => {
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >>> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    table[h] =
      exponent === 0 ? sign * mantissa * 2 ** -24 : exponent === 0x1f ? (mantissa ? NaN : sign * Infinity) : sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  return table;
})();
