package mdo.registry.store;

import mdo.command.Failure;

/** A fenced write was refused, by the store (no guard: this process may not write) or by etcd. Nothing was written. */
public final class FencedException extends Failure {
  public FencedException(String message) {
    super(message);
  }

  @Override
  public Kind kind() {
    return Kind.REFUSED;
  }
}
