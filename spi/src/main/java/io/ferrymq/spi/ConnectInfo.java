package io.ferrymq.spi;

/**
 * The identity a client presented in CONNECT.
 *
 * @param clientId the client identifier, assigned by the broker when the client sent an empty one
 * @param username the user name, or {@code null}
 * @param password the password bytes, or {@code null}; never log them
 * @param protocolVersion 3 for MQTT 3.1, 4 for 3.1.1, 5 for 5.0
 * @param remoteAddress the peer's host and port
 */
public record ConnectInfo(String clientId, String username, byte[] password, int protocolVersion,
                          String remoteAddress) {

  @Override
  public String toString() {
    // The password is left out on purpose, so that a logged ConnectInfo never leaks it.
    return "ConnectInfo{clientId=" + clientId + ", username=" + username + ", protocolVersion="
        + protocolVersion + ", remoteAddress=" + remoteAddress + '}';
  }
}
