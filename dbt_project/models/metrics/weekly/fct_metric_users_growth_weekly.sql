{{ config(**metric_config('users.growth', 'week')) }}

{{ metric_users_growth('week') }}
