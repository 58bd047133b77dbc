{{ config(**metric_config('experiments.results', 'day')) }}

{{ metric_experiments_results('day') }}
