import CSystemd
import Glibc  // AF_UNIX, SOCK_STREAM constants

/// Sockets handed over by systemd (certssbd.socket) or systemd-socket-activate (sd_listen_fds(3)).
public enum SocketActivation {
    /// Listening AF_UNIX stream sockets passed to this process, starting at fd 3 (SD_LISTEN_FDS_START).
    /// Empty when the process was not socket-activated: the daemon then binds `socket` itself.
    /// LISTEN_* are cleared, so children (none today) don't think the fds are theirs.
    public static func listeningSockets() -> [Int32] {
        let count = sd_listen_fds(1)
        guard count > 0 else { return [] }
        let first = Int32(SD_LISTEN_FDS_START)
        return (first..<first + count).filter { fd in
            // listening = 1, no path check: the unit file owns the path.
            sd_is_socket_unix(fd, Int32(SOCK_STREAM.rawValue), 1, nil, 0) > 0
        }
    }

}
