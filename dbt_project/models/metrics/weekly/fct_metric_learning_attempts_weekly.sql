{{ config(**metric_config('learning.attempts', 'week')) }}

{{ metric_learning_attempts('week') }}
