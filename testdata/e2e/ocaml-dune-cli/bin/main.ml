open Cmdliner
open Chem

let data_path explicit =
  match explicit with
  | Some p -> p
  | None -> ( match Sys.getenv_opt "MOLMASS_DATA" with Some p -> p | None -> Elements.default_path)

let run data show_composition formulas =
  let path = data_path data in
  match Elements.load path with
  | exception Sys_error msg ->
      Printf.eprintf "molmass: cannot read element table: %s\n" msg;
      2
  | table ->
      Printf.printf "element table: %s (%d elements)\n" path (Hashtbl.length table);
      List.fold_left
        (fun status f ->
          match Formula.parse f with
          | exception Formula.Parse_error (pos, msg) ->
              Printf.printf "%s: error at %d: %s\n" f pos msg;
              1
          | counts -> (
              match Elements.molar_mass table counts with
              | exception Failure msg ->
                  Printf.printf "%s: %s\n" f msg;
                  1
              | mass ->
                  Printf.printf "%s: %.3f g/mol\n" f mass;
                  if show_composition then
                    List.iter
                      (fun ((e : Elements.element), n, pct) ->
                        Printf.printf "  %-2s %-10s x%-3d %6.2f %%\n" e.symbol e.name n pct)
                      (Elements.composition table counts);
                  status))
        0 formulas

let data =
  let doc = "Read the element table from $(docv) (default: $(b,MOLMASS_DATA) or " ^ Elements.default_path ^ ")." in
  Arg.(value & opt (some file) None & info [ "d"; "data" ] ~docv:"FILE" ~doc)

let composition =
  Arg.(value & flag & info [ "c"; "composition" ] ~doc:"Also print the mass composition by element.")

let formulas = Arg.(non_empty & pos_all string [] & info [] ~docv:"FORMULA")

let cmd =
  let doc = "molar masses of chemical formulas" in
  let info = Cmd.info "molmass" ~version:"0.4.0" ~doc in
  Cmd.v info Term.(const run $ data $ composition $ formulas)

let () = exit (Cmd.eval' cmd)
