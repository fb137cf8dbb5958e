package mdo.mesos;

import com.google.protobuf.Message;

/** The two encodings the v1 scheduler API speaks; protobuf is mdo's default (no JSON pitfalls, API.md §1.4). */
public enum WireFormat {
  PROTOBUF,
  JSON;

  public <T extends Message> MessageCodec<T> codec(T prototype) {
    return this == PROTOBUF ? new ProtobufCodec<>(prototype) : new JsonCodec<>(prototype);
  }
}
