//! Prime numbers for the Server-Sent Events server of section 9.3.1.
//!
//! The book's `handlerPrimeSSE` counts `num++` and sends every `num` for which
//! `big.NewInt(num).ProbablyPrime(20)` holds. Go's `ProbablyPrime` is built on Miller–Rabin,
//! and so is this module: a few modular exponentiations on [`BigUint`] settle a number of
//! any size, with no table of primes to keep and no limit on how long the stream may run.

use num_bigint::BigUint;
use num_traits::{One, ToPrimitive, Zero};

/// The first 20 primes: both the trial divisors and the Miller–Rabin bases.
const SMALL_PRIMES: [u32; 20] = [
    2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71,
];

/// Whether `n` is prime, by trial division and then 20 rounds of Miller–Rabin.
///
/// The bases are the first 20 primes, so the answer is deterministic, and it is exact for
/// every `n` below 3.3 · 10²⁴ (the first 13 prime bases suffice there; Sorenson and Webster,
/// 2015). Above that, a composite built to fool these very bases could pass. Go's
/// `ProbablyPrime(20)` instead draws 20 pseudo-random bases and adds a Baillie–PSW test,
/// which is exact below 2⁶⁴ and has no known counterexample above.
pub fn is_probable_prime(n: &BigUint) -> bool {
    // The same test on machine words when n fits in 64 bits: every number the stream
    // sends for a long while, and far cheaper than arithmetic on heap-allocated digits.
    if let Some(n) = n.to_u64() {
        return is_probable_prime_u64(n);
    }
    // Trial division settles 0, 2, 3, every even number and most other composites cheaply.
    for p in SMALL_PRIMES {
        if (n % p).is_zero() {
            // A multiple of p is prime only if it is p itself.
            return *n == BigUint::from(p);
        }
    }
    // Now n is 1, which is not prime, or has no factor below 72: then it is odd and larger
    // than every base, as Miller–Rabin needs.
    *n > BigUint::one() && miller_rabin(n, &SMALL_PRIMES)
}

/// [`is_probable_prime`] for a number that fits in 64 bits: the same trial division and
/// the same Miller–Rabin bases, on `u64` with `u128` products. Exact: the first 12 prime
/// bases already settle every n below 2⁶⁴.
fn is_probable_prime_u64(n: u64) -> bool {
    for p in SMALL_PRIMES.map(u64::from) {
        if n.is_multiple_of(p) {
            return n == p;
        }
    }
    // A composite below 73² has a prime factor below 73, which trial division found.
    if n < 73 * 73 {
        return n > 1;
    }
    // n − 1 = d · 2^s with d odd; n is odd here, so s ≥ 1.
    let s = (n - 1).trailing_zeros();
    let d = (n - 1) >> s;
    let mul_mod = |a: u64, b: u64| (u128::from(a) * u128::from(b) % u128::from(n)) as u64;
    let passes = |base: u32| {
        let (mut x, mut power, mut e) = (1, u64::from(base), d);
        while e > 0 {
            if e & 1 == 1 {
                x = mul_mod(x, power);
            }
            power = mul_mod(power, power);
            e >>= 1;
        }
        if x == 1 || x == n - 1 {
            return true;
        }
        (1..s).any(|_| {
            x = mul_mod(x, x);
            x == n - 1
        })
    };
    SMALL_PRIMES.iter().all(|&base| passes(base))
}

/// The smallest prime strictly greater than `after`: the book's loop, `num++` until prime.
pub fn next_prime(after: &BigUint) -> BigUint {
    let mut candidate = after + 1u32;
    while !is_probable_prime(&candidate) {
        candidate += 1u32;
    }
    candidate
}

/// Miller–Rabin: is odd `n` a strong probable prime to every one of `bases` (each below `n`)?
///
/// A composite passes for at most ¼ of all bases, so each base that passes is evidence.
fn miller_rabin(n: &BigUint, bases: &[u32]) -> bool {
    // Write n − 1 = d · 2^s with d odd. (n − 1 = 0 means n = 1, which is not prime.)
    let n_minus_1 = n - 1u32;
    let Some(s) = n_minus_1.trailing_zeros() else {
        return false;
    };
    let d = &n_minus_1 >> s;

    // A prime n gives base^d ≡ 1, or ≡ −1 at one of the squarings base^(d·2^r), r < s.
    let passes = |base: u32| {
        let mut x = pow_mod(base, &d, n);
        if x.is_one() || x == n_minus_1 {
            return true;
        }
        for _ in 1..s {
            x = &x * &x % n;
            if x == n_minus_1 {
                return true;
            }
        }
        false
    };
    bases.iter().all(|&base| passes(base))
}

/// `base^exponent mod modulus`, by square-and-multiply over the exponent's bits, high to low.
///
/// `BigUint::modpow` sets up Montgomery arithmetic on every call: that pays off for numbers
/// of hundreds of bits, but for the few-digit numbers the stream produces it is about four
/// times slower than this plain loop.
fn pow_mod(base: u32, exponent: &BigUint, modulus: &BigUint) -> BigUint {
    let mut result = BigUint::one();
    for bit in (0..exponent.bits()).rev() {
        result = &result * &result % modulus;
        if exponent.bit(bit) {
            result = result * base % modulus;
        }
    }
    result
}

/// The primes in order, 2, 3, 5, 7, …, without end: the stream the SSE server sends.
///
/// Each step is [`next_prime`] from the prime before it, as the book's handler does.
#[derive(Debug, Clone)]
pub struct Primes {
    /// The prime yielded last, or 0 before the first.
    last: BigUint,
}

impl Primes {
    /// A fresh sequence whose first item is 2.
    pub fn new() -> Self {
        Primes {
            last: BigUint::zero(),
        }
    }
}

impl Default for Primes {
    /// Same as [`Primes::new`].
    fn default() -> Self {
        Self::new()
    }
}

impl Iterator for Primes {
    type Item = BigUint;

    fn next(&mut self) -> Option<BigUint> {
        self.last = next_prime(&self.last);
        Some(self.last.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn big(n: u128) -> BigUint {
        BigUint::from(n)
    }

    /// 2^p − 1.
    fn mersenne(p: u32) -> BigUint {
        (BigUint::one() << p) - 1u32
    }

    /// `is_prime[n]` for every n up to `limit` (at least 1), by the sieve of Eratosthenes.
    fn sieve(limit: usize) -> Vec<bool> {
        let mut is_prime = vec![true; limit + 1];
        is_prime[0] = false;
        is_prime[1] = false;
        let mut p = 2;
        while p * p <= limit {
            if is_prime[p] {
                for multiple in (p * p..=limit).step_by(p) {
                    is_prime[multiple] = false;
                }
            }
            p += 1;
        }
        is_prime
    }

    #[test]
    fn agrees_with_sieve_up_to_a_million() {
        for (n, &prime) in sieve(1_000_000).iter().enumerate() {
            assert_eq!(is_probable_prime(&BigUint::from(n)), prime, "n = {n}");
        }
    }

    #[test]
    fn small_cases() {
        let table = [
            (0, false),
            (1, false),
            (2, true),
            (3, true),
            (4, false),
            (71, true),
            (73, true),
            (5329, false), // 73², the first composite that trial division misses
        ];
        for (n, prime) in table {
            assert_eq!(is_probable_prime(&big(n)), prime, "n = {n}");
        }
    }

    #[test]
    fn mersenne_numbers() {
        let table = [
            (61, true),
            (67, false), // Cole's number: 193707721 · 761838257287
            (89, true),
            (127, true),
            (521, true),
        ];
        for (p, prime) in table {
            assert_eq!(is_probable_prime(&mersenne(p)), prime, "2^{p} − 1");
        }
        assert_eq!(big(193_707_721) * big(761_838_257_287), mersenne(67));
    }

    #[test]
    fn carmichael_numbers_are_composite() {
        let carmichael = [
            561, 1105, 1729, 2465, 2821, 6601, 8911, 41041, 825265, 321197185,
        ];
        for n in carmichael {
            assert!(!is_probable_prime(&big(n)), "{n} is composite");
        }
    }

    #[test]
    fn strong_pseudoprimes_are_composite() {
        // Each n passes Miller–Rabin for every listed base, yet is composite.
        let table: [(u128, &[u32]); 11] = [
            (2047, &[2]),
            (3277, &[2]),
            (4033, &[2]),
            (1_373_653, &[2, 3]),
            (25_326_001, &[2, 3, 5]),
            (3_215_031_751, &[2, 3, 5, 7]),
            (2_152_302_898_747, &[2, 3, 5, 7, 11]),
            (3_474_749_660_383, &[2, 3, 5, 7, 11, 13]),
            (341_550_071_728_321, &[2, 3, 5, 7, 11, 13, 17, 19]),
            (
                3_825_123_056_546_413_051,
                &[2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31],
            ),
            (
                318_665_857_834_031_151_167_461,
                &[2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37],
            ),
        ];
        for (n, bases) in table {
            assert!(miller_rabin(&big(n), bases), "{n} fools bases {bases:?}");
            assert!(!is_probable_prime(&big(n)), "{n} is composite");
        }
    }

    #[test]
    fn the_u64_path_agrees_with_the_biguint_path() {
        for start in [1u64 << 32, (1 << 63) - 3001, u64::MAX - 3001] {
            for n in (start..start + 3000).filter(|n| n % 2 == 1) {
                let by_biguint = SMALL_PRIMES
                    .iter()
                    .all(|&p| !n.is_multiple_of(u64::from(p)))
                    && miller_rabin(&BigUint::from(n), &SMALL_PRIMES);
                assert_eq!(is_probable_prime_u64(n), by_biguint, "n = {n}");
            }
        }
    }

    #[test]
    fn primes_yields_the_first_25_primes() {
        let first_25: Vec<BigUint> = [
            2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83,
            89, 97,
        ]
        .into_iter()
        .map(big)
        .collect();
        assert_eq!(Primes::new().take(25).collect::<Vec<_>>(), first_25);
        assert_eq!(Primes::default().take(25).collect::<Vec<_>>(), first_25);
    }

    #[test]
    fn next_prime_is_strictly_greater() {
        let table = [(0, 2), (1, 2), (2, 3), (13, 17), (7919, 7927)];
        for (after, expected) in table {
            assert_eq!(next_prime(&big(after)), big(expected), "after {after}");
        }
        assert_eq!(next_prime(&(mersenne(127) - 2u32)), mersenne(127));
    }
}
