/* supernet/corpus.h — the training text: bytes of real English text read
 * from installed files (nothing is downloaded), split deterministically into
 * a training and a validation part.
 *
 * "auto" reads every fortune file of Debian's `fortunes` package
 * (/usr/share/games/fortunes, regular files without the .dat and .u8
 * suffixes, in name order: 2.58 MB); anything else is one file path.  The
 * split cuts the text into chunks of min(4,096, n / 100) bytes and puts every
 * tenth chunk (chunk index % 10 == 9) into validation, so both parts sample
 * every source file.  The fingerprint is the CRC32 of the whole text. */
#ifndef HWNAS_SUPERNET_CORPUS_H
#define HWNAS_SUPERNET_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define SN_CORPUS_AUTO_DIR "/usr/share/games/fortunes"
#define SN_CORPUS_CHUNK 4096
#define SN_CORPUS_MIN_BYTES 4096

typedef struct {
    uint8_t *train, *val;
    size_t n_train, n_val;
    uint32_t crc;     /* CRC32 of the text before the split */
} sn_corpus;

/* spec: "auto" or a file path.  Fails (one line naming the file) on a
 * missing or unreadable file or a text under SN_CORPUS_MIN_BYTES. */
int sn_corpus_load(const char *spec, sn_corpus *c, hw_err *e);
void sn_corpus_free(sn_corpus *c);

#endif
