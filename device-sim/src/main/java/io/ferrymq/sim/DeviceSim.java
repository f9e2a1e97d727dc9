package io.ferrymq.sim;
public final class DeviceSim { public static void main(String[] a) {} }
