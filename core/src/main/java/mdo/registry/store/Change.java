package mdo.registry.store;

import mdo.registry.InstanceRecord;

/**
 * One compare-and-swap write. {@code expectedRevision} is the key's mod revision when the change was computed; 0 means
 * "create only if absent".
 */
public sealed interface Change {
  String key();

  String service();

  long expectedRevision();

  record Put(String key, String service, InstanceRecord record, long expectedRevision) implements Change {}

  record Delete(String key, String service, InstanceRecord previous, long expectedRevision) implements Change {}
}
