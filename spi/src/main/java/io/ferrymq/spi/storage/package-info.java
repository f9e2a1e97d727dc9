/**
 * Storage interfaces for durable broker state. The broker keeps its live state in memory and tells a
 * store about every change that must survive a restart; at start it rebuilds sessions and retained
 * messages from what the store returns. Without a store registered, nothing is durable.
 */
package io.ferrymq.spi.storage;
