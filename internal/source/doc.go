// Package source is dockmend's lossless model of a Dockerfile.
//
// buildkit's parser gives the structure of a Dockerfile but only line
// numbers, and a node's Original field is not the source text: line
// continuations are joined and comment lines inside them are dropped. This
// package keeps the original bytes and adds, for every instruction, a map
// from each byte of the logical line (what buildkit sees) back to its byte
// offset in the file. The map is verified against buildkit's own Original
// before a rule may edit through it; an instruction whose map cannot be
// verified carries the reason in Instruction.MapErr and is never edited.
//
// On top of the map the package provides:
//
//   - the keyword, the --flags and the argument fields of every instruction,
//     each with its logical range;
//   - heredoc bodies with their byte ranges;
//   - the stage model: stages with case-insensitive names, base image
//     references, global ARGs (visible only in FROM) and stage ARGs;
//   - parser directives (syntax, escape, check) with the byte range of
//     their values;
//   - RUN shell bodies parsed with mvdan.cc/sh/v3/syntax, with positions
//     mapped back to source bytes (see Script).
//
// Nothing in this package changes bytes: rules turn offsets into edits and
// the engine applies them.
package source
