{{ config(**metric_config('learning.attempts', 'month')) }}

{{ metric_learning_attempts('month') }}
