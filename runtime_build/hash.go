package runtime_build

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"os"
	"sort"
	"strings"
)

const base36 = "0123456789abcdefghijklmnopqrstuvwxyz"

// TruncateHash is the reference's truncate_hash: the hex digest read as a number, written in
// base 36 least-significant digit first, at most 16 characters.
func TruncateHash(hexDigest string) (string, error) {
	n, ok := new(big.Int).SetString(hexDigest, 16)
	if !ok {
		return "", fmt.Errorf("not a hex digest: %q", hexDigest)
	}
	var b strings.Builder
	mod := new(big.Int)
	b36 := big.NewInt(36)
	for n.Sign() > 0 && b.Len() < 16 {
		n.DivMod(n, b36, mod)
		b.WriteByte(base36[mod.Int64()])
	}
	return b.String(), nil
}

// LockInputs is everything that decides what the lock image holds.
type LockInputs struct {
	BaseImage  string // exactly as the user gave it
	GoMod      []byte
	GoSum      []byte
	Dockerfile []byte            // Dockerfile.runtime as in the source tree (it carries the default pins)
	BuildArgs  map[string]string // every build argument the final stage installs with
}

// LockHash is MD5 over the base image, go.mod, go.sum, Dockerfile.runtime and the build
// arguments (sorted `NAME=value` lines), in that order, then TruncateHash. Each part is
// length-prefixed so that bytes cannot move from one part to the next unnoticed.
func LockHash(in LockInputs) string {
	h := md5.New()
	part := func(name string, b []byte) {
		fmt.Fprintf(h, "%s %d\n", name, len(b))
		h.Write(b)
	}
	part("base", []byte(in.BaseImage))
	part("go.mod", in.GoMod)
	part("go.sum", in.GoSum)
	part("Dockerfile.runtime", in.Dockerfile)
	keys := make([]string, 0, len(in.BuildArgs))
	for k := range in.BuildArgs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var args strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&args, "%s=%q\n", k, in.BuildArgs[k])
	}
	part("args", []byte(args.String()))
	s, _ := TruncateHash(hex.EncodeToString(h.Sum(nil)))
	return s
}

// md5File is the lowercase hex MD5 of a file's bytes.
func md5File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
