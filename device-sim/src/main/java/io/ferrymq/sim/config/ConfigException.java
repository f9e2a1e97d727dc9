package io.ferrymq.sim.config;

/** Invalid option, scenario field or combination of fields; the message names the field and the accepted values. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
