// `panocarbon mcp` on standard input and output. The protocol's stream is a duplicate of standard output;
// standard output itself then points at standard error, so that nothing a library prints can corrupt the stream.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <streambuf>

#include <unistd.h>

#include "panocarbon/error.hpp"
#include "panocarbon/mcp.hpp"

namespace panocarbon::mcp {

namespace {
// An output stream buffer on a file descriptor (unbuffered beyond one message: flush writes it all).
class FdBuf : public std::streambuf {
 public:
  explicit FdBuf(int fd) : fd_(fd) {}

 protected:
  int_type overflow(int_type c) override {
    if (c == traits_type::eof()) return traits_type::not_eof(c);
    buf_.push_back(static_cast<char>(c));
    return c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    buf_.append(s, static_cast<size_t>(n));
    return n;
  }
  int sync() override {
    size_t done = 0;
    while (done < buf_.size()) {
      const ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
      if (n <= 0) return -1;
      done += static_cast<size_t>(n);
    }
    buf_.clear();
    return 0;
  }

 private:
  int fd_;
  std::string buf_;
};
}  // namespace

int serve_stdio(Runner run) {
  std::signal(SIGPIPE, SIG_IGN);  // a client that goes away ends the loop, not the process
  std::fflush(stdout);
  std::cout.flush();
  const int protocol = ::dup(STDOUT_FILENO);
  if (protocol < 0 || ::dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
    throw Error(ErrorCategory::Io, "cannot set up standard output for the protocol (dup failed)");
  FdBuf buf(protocol);
  std::ostream out(&buf);
  std::cerr << "panocarbon mcp: serving the registry's tools over standard input and output (MCP "
            << kProtocolVersion << "); logs on standard error\n"
            << std::flush;
  const int rc = serve_stdio(std::cin, out, std::cerr, std::move(run));
  out.flush();
  ::close(protocol);
  return rc;
}

}  // namespace panocarbon::mcp
