{{ config(**metric_config('learning.attempts', 'day')) }}

{{ metric_learning_attempts('day') }}
