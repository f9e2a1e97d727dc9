/**
 * The extension SPI: the only package an extension compiles against.
 *
 * <p>No Vert.x or netty type appears here, so an extension never depends on the broker's
 * internals. Every callback states its threading contract; a callback that may wait returns a
 * {@link java.util.concurrent.CompletionStage} and must never block the calling thread, because
 * the broker calls it on an event loop.
 */
package io.ferrymq.spi;
