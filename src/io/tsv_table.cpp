#include "io/tsv_table.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>
#include <string_view>
#include <thread>

#include "core/progress.hpp"
#include "core/text.hpp"
#include "panocarbon/error.hpp"

namespace panocarbon::io {

namespace {

std::string join(const std::vector<std::string>& parts) {
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) s += '|';
    s += parts[i];
  }
  return s;
}

std::vector<std::string_view> split(std::string_view line, char sep) {
  std::vector<std::string_view> cells;
  size_t start = 0;
  for (;;) {
    const size_t pos = line.find(sep, start);
    if (pos == std::string_view::npos) {
      cells.push_back(line.substr(start));
      return cells;
    }
    cells.push_back(line.substr(start, pos - start));
    start = pos + 1;
  }
}

std::string_view chomp(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// Plain decimals ("0.00427083709", "-12.5", "1.25e-05": what pandas and most writers emit) parsed in the
// same pass that finds the cell's end. Up to 19 significant digits fit a uint64 mantissa m; when m <= 2^53
// and the decimal exponent q is within +-22, m and 10^|q| are exact doubles and one IEEE multiplication or
// division rounds m * 10^q correctly (Clinger 1990, "How to read floating point numbers accurately"): the
// same double std::from_chars gives. Anything else (more digits, larger exponents, inf, nan, a leading
// '+', malformed text) returns nullptr and takes the general path.
const char* parse_plain_decimal(const char* c, const char* e, char sep, double& v) {
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  const char* p = c;
  const bool negative = p < e && *p == '-';
  if (negative) ++p;
  uint64_t m = 0;
  int digits = 0, significant = 0, exp10 = 0;
  while (p < e && static_cast<unsigned>(*p - '0') < 10) {
    if (m != 0 || *p != '0') {
      if (++significant > 19) return nullptr;
      m = m * 10 + static_cast<unsigned>(*p - '0');
    }
    ++p;
    ++digits;
  }
  if (p < e && *p == '.') {
    ++p;
    // Eight digits at a time while they last (SWAR: one 64-bit load, a digit test and three multiplications).
    while (e - p >= 8 && significant <= 11) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      if ((w & 0xF0F0F0F0F0F0F0F0u) != 0x3030303030303030u ||
          ((w + 0x0606060606060606u) & 0xF0F0F0F0F0F0F0F0u) != 0x3030303030303030u)
        break;  // not eight digits
      w -= 0x3030303030303030u;  // byte i (little-endian: the i-th character) holds digit i
      if (m == 0) {
        if (w == 0) {  // eight leading zeros
          exp10 -= 8;
          p += 8;
          digits += 8;
          continue;
        }
        significant += 8 - std::countr_zero(w) / 8;  // from the first non-zero digit on
      } else {
        significant += 8;
      }
      w = w * 10 + (w >> 8);  // pairs: byte 2i holds the two-digit number of digits 2i, 2i + 1
      w = (((w & 0x000000FF000000FFu) * (100 + (uint64_t(1000000) << 32))) +
           (((w >> 16) & 0x000000FF000000FFu) * (1 + (uint64_t(10000) << 32)))) >>
          32;
      m = m * 100000000u + w;
      exp10 -= 8;
      p += 8;
      digits += 8;
    }
    while (p < e && static_cast<unsigned>(*p - '0') < 10) {
      if (m != 0 || *p != '0') {
        if (++significant > 19) return nullptr;
        m = m * 10 + static_cast<unsigned>(*p - '0');
      }
      --exp10;
      ++p;
      ++digits;
    }
  }
  if (digits == 0) return nullptr;
  if (p < e && (*p == 'e' || *p == 'E')) {
    ++p;
    bool eneg = false;
    if (p < e && (*p == '-' || *p == '+')) eneg = *p++ == '-';
    if (p == e || static_cast<unsigned>(*p - '0') >= 10) return nullptr;
    int x = 0;
    while (p < e && static_cast<unsigned>(*p - '0') < 10) {
      if (x > 10000) return nullptr;
      x = x * 10 + (*p++ - '0');
    }
    exp10 += eneg ? -x : x;
  }
  if (p < e && *p != sep) return nullptr;
  if (m == 0) {
    v = negative ? -0.0 : 0.0;
    return p;
  }
  if (m > (uint64_t(1) << 53) || exp10 < -22 || exp10 > 22) return nullptr;
  const double d = static_cast<double>(m);
  v = exp10 < 0 ? d / kPow10[-exp10] : d * kPow10[exp10];
  if (negative) v = -v;
  return p;
}

// What one worker parsed from a run of whole lines.
struct Piece {
  std::vector<std::string> labels;  // rows x nr_index_col
  std::vector<uint32_t> row_nnz;
  std::vector<uint32_t> col;
  std::vector<double> value;
  long lines = 0;                  // lines consumed (data rows + blank lines)
  std::vector<long> row_offset;    // line offset of each row within the piece
  bool failed = false;
  long fail_offset = 0;
  long fail_column = 0;
  std::string fail_label, fail_message;
};

void parse_piece(const char* begin, const char* end, size_t nr_index, size_t ncols, char sep, Piece& out) {
  const char* p = begin;
  while (p < end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
    const char* line_end = nl ? nl : end;
    std::string_view line = chomp(std::string_view(p, static_cast<size_t>(line_end - p)));
    const long offset = out.lines++;
    p = nl ? nl + 1 : end;
    if (line.empty()) continue;
    const char* c = line.data();
    const char* e = line.data() + line.size();
    // Labels.
    const size_t label_base = out.labels.size();
    for (size_t l = 0; l < nr_index; ++l) {
      const char* q = static_cast<const char*>(std::memchr(c, sep, static_cast<size_t>(e - c)));
      if (!q) {
        out.labels.emplace_back(c, static_cast<size_t>(e - c));
        out.failed = true;
        out.fail_offset = offset;
        out.fail_label = out.labels.back();
        out.fail_message = "has only labels and no values (expected " + std::to_string(nr_index) + " label columns and " +
                           std::to_string(ncols) + " values); fix the ragged row";
        return;
      }
      out.labels.emplace_back(c, static_cast<size_t>(q - c));
      if (!is_valid_utf8(out.labels.back())) {
        out.failed = true;
        out.fail_offset = offset;
        out.fail_column = static_cast<long>(l + 1);
        out.fail_label = out.labels.back();
        out.fail_message = "has a label that is not valid UTF-8; save the file as UTF-8 (iconv -f LATIN1 -t UTF-8)";
        return;
      }
      c = q + 1;
    }
    uint32_t nnz = 0;
    size_t j = 0;
    for (;;) {
      double v = 0;
      // Most cells of an MRIO table are a bare "0" (two thirds of EXIOBASE's A) or a plain decimal: found
      // and parsed in one pass. Cells are short (1 to ~15 characters): a plain scan beats a memchr per cell.
      const bool bare_zero = c < e && *c == '0' && (c + 1 == e || c[1] == sep);
      const char* fast = bare_zero ? c + 1 : j < ncols ? parse_plain_decimal(c, e, sep, v) : nullptr;
      const char* q = fast;
      if (!q) {
        q = c;
        while (q < e && *q != sep) ++q;
      }
      const char* cell_end = q;
      if (q == e) q = nullptr;
      if (j >= ncols) {
        // Too many cells: count them for the message.
        size_t extra = 1;
        for (const char* r = cell_end; r < e; ++r) extra += (*r == sep);
        out.failed = true;
        out.fail_offset = offset;
        out.fail_label.clear();
        for (size_t l = 0; l < nr_index; ++l) out.fail_label += (l ? "|" : "") + out.labels[label_base + l];
        out.fail_message = "has " + std::to_string(ncols + extra) + " values, expected " + std::to_string(ncols) +
                           " (one per column of the header); fix the ragged row";
        return;
      }
      const auto [ptr, ec] = fast ? std::from_chars_result{cell_end, std::errc()} : std::from_chars(c, cell_end, v);
      if (ec != std::errc() || ptr != cell_end || !std::isfinite(v)) {
        // from_chars rejects a leading '+', which some writers emit.
        bool ok = false;
        if (c < cell_end && *c == '+') {
          const auto [ptr2, ec2] = std::from_chars(c + 1, cell_end, v);
          ok = ec2 == std::errc() && ptr2 == cell_end && std::isfinite(v);
        }
        if (!ok) {
          out.failed = true;
          out.fail_offset = offset;
          out.fail_column = static_cast<long>(nr_index + j + 1);
          out.fail_label.clear();
          for (size_t l = 0; l < nr_index; ++l) out.fail_label += (l ? "|" : "") + out.labels[label_base + l];
          const std::string cell(c, static_cast<size_t>(cell_end - c));
          out.fail_message = (cell.empty() ? std::string("has an empty cell") : std::string("has '").append(clip_input(cell, 40)).append("'")) +
                             " where a finite number is expected (column " + std::to_string(j) + " of the values); " +
                             "write the number (0 for none)";
          return;
        }
      }
      if (v != 0.0) {
        out.col.push_back(static_cast<uint32_t>(j));
        out.value.push_back(v);
        ++nnz;
      }
      ++j;
      if (!q) break;
      c = q + 1;
    }
    if (j != ncols) {
      out.failed = true;
      out.fail_offset = offset;
      out.fail_label.clear();
      for (size_t l = 0; l < nr_index; ++l) out.fail_label += (l ? "|" : "") + out.labels[label_base + l];
      out.fail_message = "has " + std::to_string(j) + " values, expected " + std::to_string(ncols) +
                         " (one per column of the header); fix the ragged row";
      return;
    }
    out.row_nnz.push_back(nnz);
    out.row_offset.push_back(offset);
  }
}

}  // namespace

std::string LabeledTable::row_key(size_t i) const { return join(row_labels[i]); }
std::string LabeledTable::col_key(size_t j) const {
  std::vector<std::string> parts;
  for (const auto& level : col_labels) parts.push_back(level[j]);
  return join(parts);
}

LabeledTable read_labeled_table(ByteSource& source, const TableOptions& opt) {
  LabeledTable t;
  t.file = source.name();
  // 32 MB chunks for big tables; small tables get one buffer of their own size (allocating and faulting in
  // 32 MB for a 10 kB file would dominate reading it).
  const uint64_t known = source.size();
  const size_t chunk = known > 0 ? static_cast<size_t>(std::min<uint64_t>(known + 1, uint64_t(32) << 20)) : size_t(1) << 20;
  const unsigned threads =
      opt.threads > 0 ? static_cast<unsigned>(opt.threads) : std::max(1u, std::thread::hardware_concurrency());
  Progress progress("reading " + t.file, source.size(), opt.progress);

  // One reusable, uninitialised buffer: zero-filling or reallocating 32 MB per chunk cost more than parsing.
  std::unique_ptr<char[]> storage;
  size_t cap = 0, len = 0;
  auto buf = [&] { return std::string_view(storage.get(), len); };
  size_t pos = 0;  // start of unparsed text in the buffer
  bool eof = false;
  uint64_t consumed = 0;
  auto refill = [&] {
    if (eof) return false;
    if (pos > 0) {
      std::memmove(storage.get(), storage.get() + pos, len - pos);
      len -= pos;
      consumed += pos;
      pos = 0;
    }
    if (cap < len + chunk) {
      const size_t new_cap = std::max(2 * cap, len + chunk);
      std::unique_ptr<char[]> bigger(new char[new_cap]);
      if (len) std::memcpy(bigger.get(), storage.get(), len);
      storage = std::move(bigger);
      cap = new_cap;
    }
    const size_t got = source.read(storage.get() + len, chunk);
    len += got;
    if (got == 0) eof = true;
    progress.update(consumed);
    return got > 0;
  };
  long line_no = 0;
  // Next whole line (false at the end).
  auto next_line = [&](std::string_view& line) {
    for (;;) {
      const size_t nl = buf().find('\n', pos);
      if (nl != std::string::npos) {
        line = chomp(buf().substr(pos, nl - pos));
        pos = nl + 1;
        ++line_no;
        return true;
      }
      if (!refill()) {
        if (pos < len) {
          line = chomp(buf().substr(pos));
          pos = len;
          ++line_no;
          return true;
        }
        return false;
      }
    }
  };

  // Header rows.
  std::string_view line;
  t.col_labels.resize(opt.nr_header);
  for (size_t h = 0; h < opt.nr_header; ++h) {
    if (!next_line(line))
      throw Error(ErrorCategory::InvalidInput,
                  "ends after " + std::to_string(h) + " header rows; expected " + std::to_string(opt.nr_header) +
                      " header rows (see file_parameters.json) and then data",
                  {t.file, line_no});
    auto cells = split(line, opt.sep);
    if (cells.size() <= opt.nr_index_col)
      throw Error(ErrorCategory::InvalidInput,
                  "header row " + std::to_string(h + 1) + " has no column labels; check nr_index_col and nr_header in file_parameters.json",
                  {t.file, line_no});
    std::string level_name;
    for (size_t l = 0; l < opt.nr_index_col; ++l)
      if (level_name.empty()) level_name = std::string(cells[l]);
    t.col_level_names.push_back(level_name);
    for (size_t j = opt.nr_index_col; j < cells.size(); ++j) {
      if (const size_t bad = utf8_error_offset(cells[j]); bad != std::string_view::npos)
        throw Error(ErrorCategory::InvalidInput,
                    std::string("header row ")
                        .append(std::to_string(h + 1))
                        .append(": label '")
                        .append(clip_input(cells[j]))
                        .append("' is not valid UTF-8; save the file as UTF-8 (iconv -f LATIN1 -t UTF-8)"),
                    {t.file, line_no, static_cast<long>(j) + 1, clip_input(cells[j])});
      t.col_labels[h].emplace_back(cells[j]);
    }
    if (h > 0 && t.col_labels[h].size() != t.col_labels[0].size())
      throw Error(ErrorCategory::InvalidInput,
                  "header row " + std::to_string(h + 1) + " has " + std::to_string(t.col_labels[h].size()) +
                      " labels but header row 1 has " + std::to_string(t.col_labels[0].size()) + "; fix the header",
                  {t.file, line_no});
  }
  const size_t ncols = t.n_cols();

  // Optional index-name row: labels, then only blanks.
  {
    const uint64_t save_at = consumed + pos;  // absolute: a refill may shift the buffer
    const long save_line = line_no;
    std::string_view l2;
    if (next_line(l2)) {
      auto cells = split(l2, opt.sep);
      bool blank_values = true;
      for (size_t j = opt.nr_index_col; j < cells.size(); ++j)
        if (!cells[j].empty()) blank_values = false;
      if (blank_values && !l2.empty()) {
        for (size_t l = 0; l < opt.nr_index_col && l < cells.size(); ++l) t.index_names.emplace_back(cells[l]);
      } else {
        pos = static_cast<size_t>(save_at - consumed);  // a data row: parse it below (a refill only drops text before pos, so it is still there)
        line_no = save_line;
      }
    }
  }

  // Data rows, chunk by chunk, split over the threads at line boundaries.
  SparseRows& m = t.values;
  m.cols = ncols;
  m.row_start.push_back(0);
  std::vector<Piece> pieces;
  bool reserved = false;
  for (;;) {
    const size_t last_nl = buf().rfind('\n');
    size_t end = (last_nl == std::string::npos || last_nl < pos) ? pos : last_nl + 1;
    if (eof) end = len;
    if (end > pos) {
      const size_t span = end - pos;
      const unsigned parts = span < (size_t(1) << 20) ? 1u : threads;
      std::vector<size_t> cut{pos};
      for (unsigned k = 1; k < parts; ++k) {
        size_t c = pos + span * k / parts;
        c = std::max(c, cut.back());
        const size_t nl = buf().find('\n', c);
        cut.push_back(nl == std::string::npos || nl >= end ? end : nl + 1);
      }
      cut.push_back(end);
      if (pieces.size() < parts) pieces.resize(parts);
      for (auto& pc : pieces) {  // reuse the capacity of the previous chunk
        pc.labels.clear();
        pc.row_nnz.clear();
        pc.col.clear();
        pc.value.clear();
        pc.row_offset.clear();
        pc.lines = 0;
        pc.failed = false;
      }
      std::vector<std::thread> pool;
      for (unsigned k = 1; k < parts; ++k)
        pool.emplace_back([&, k] {
          parse_piece(storage.get() + cut[k], storage.get() + cut[k + 1], opt.nr_index_col, ncols, opt.sep, pieces[k]);
        });
      parse_piece(storage.get() + cut[0], storage.get() + cut[1], opt.nr_index_col, ncols, opt.sep, pieces[0]);
      for (auto& th : pool) th.join();
      for (unsigned k = 0; k < parts; ++k) {
        Piece& pc = pieces[k];
        if (pc.failed) {
          std::string msg = "line " + std::to_string(line_no + 1 + pc.fail_offset);
          if (!pc.fail_label.empty()) msg.append(" (").append(clip_input(pc.fail_label)).append(")");
          throw Error(ErrorCategory::InvalidInput, msg + " " + pc.fail_message,
                      {t.file, line_no + 1 + pc.fail_offset, pc.fail_column, clip_input(pc.fail_label)});
        }
        for (size_t r = 0; r < pc.row_nnz.size(); ++r) {
          std::vector<std::string> labels(pc.labels.begin() + static_cast<std::ptrdiff_t>(r * opt.nr_index_col),
                                          pc.labels.begin() + static_cast<std::ptrdiff_t>((r + 1) * opt.nr_index_col));
          t.row_labels.push_back(std::move(labels));
          t.row_line.push_back(line_no + 1 + pc.row_offset[r]);
          m.row_start.push_back(m.row_start.back() + pc.row_nnz[r]);
        }
        m.col.insert(m.col.end(), pc.col.begin(), pc.col.end());
        m.value.insert(m.value.end(), pc.value.begin(), pc.value.end());
        line_no += pc.lines;
      }
      // Reserve the whole matrix once, from the density of the first chunk, instead of growing by doubling.
      if (!reserved && known > 0 && consumed + end > 0) {
        reserved = true;
        const double per_byte = double(m.value.size()) / double(consumed + end);
        const auto estimate = static_cast<size_t>(per_byte * double(known) * 1.02) + 1024;
        m.col.reserve(estimate);
        m.value.reserve(estimate);
      }
      pos = end;
    }
    if (eof) break;
    refill();
  }
  m.rows = t.row_labels.size();
  progress.update(source.size());
  progress.finish();
  return t;
}

DenseMatrix to_dense(const SparseRows& m) {
  DenseMatrix d(m.rows, m.cols);
  for (size_t i = 0; i < m.rows; ++i)
    for (int64_t p = m.row_start[i]; p < m.row_start[i + 1]; ++p) d(i, m.col[p]) = m.value[p];
  return d;
}

}  // namespace panocarbon::io
