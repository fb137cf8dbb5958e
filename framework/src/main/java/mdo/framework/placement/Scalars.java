package mdo.framework.placement;

/**
 * Scalar resources in thousandths, as Mesos compares them (it stores scalars as fixed point with three decimals), so
 * that ten 0.1-cpu tasks fit exactly into one cpu and rounding never over-commits an agent.
 */
final class Scalars {
  private Scalars() {}

  static long toMillis(double amount) {
    return Math.round(amount * 1000);
  }

  static double fromMillis(long millis) {
    return millis / 1000.0;
  }

  static void requireAmount(double amount, String what) {
    if (!Double.isFinite(amount) || amount < 0) {
      throw new IllegalArgumentException(what + " must be a finite number >= 0, got " + amount);
    }
  }

  /** {@code 512}, {@code 0.5}: what a pending reason shows. */
  static String show(long millis) {
    return AttributeValue.formatScalar(fromMillis(millis));
  }
}
