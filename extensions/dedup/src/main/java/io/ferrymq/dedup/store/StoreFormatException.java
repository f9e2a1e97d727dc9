package io.ferrymq.dedup.store;

/** A dedup store file was written in a format version that this broker cannot read. */
public final class StoreFormatException extends IllegalStateException {

  public StoreFormatException(String message) {
    super(message);
  }
}
