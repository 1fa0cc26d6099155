// The labelled tables of pymrio's text storage (and EXIOBASE 3): `nr_header` header rows, each starting
// with `nr_index_col` cells (the column level's name, then blanks) and then one label per column; an
// optional row of index names (its value cells are all blank); then data rows of `nr_index_col` labels
// and one number per column. Parsed in chunks on several threads straight into compressed sparse rows.
#pragma once
#include <string>
#include <vector>

#include "io/byte_source.hpp"
#include "panocarbon/matrix.hpp"

namespace panocarbon::io {

struct LabeledTable {
  std::string file;                                  // for messages
  std::vector<std::string> col_level_names;          // "region", "sector"
  std::vector<std::vector<std::string>> col_labels;  // [level][column]
  std::vector<std::string> index_names;              // "region", "sector" (empty when absent)
  std::vector<std::vector<std::string>> row_labels;  // [row][level]
  std::vector<long> row_line;                        // 1-based line of each data row
  SparseRows values;
  size_t n_cols() const { return col_labels.empty() ? 0 : col_labels[0].size(); }
  // Labels joined with '|'.
  std::string row_key(size_t i) const;
  std::string col_key(size_t j) const;
};

struct TableOptions {
  size_t nr_index_col = 2;
  size_t nr_header = 2;
  char sep = '\t';
  int threads = 0;  // 0 = all cores
  bool progress = false;
};

// Throws Error{InvalidInput} naming file, line, column and labels for ragged rows, non-numeric or
// non-finite cells and missing headers.
LabeledTable read_labeled_table(ByteSource& source, const TableOptions& options);
DenseMatrix to_dense(const SparseRows& m);

}  // namespace panocarbon::io
