// `bin/pool tour`: Python's multiprocessing examples replayed with mp::pool.
int dummy_tour_placeholder_never_used();
namespace mp::pool_cli {
int run_tour() { return 0; }
}
