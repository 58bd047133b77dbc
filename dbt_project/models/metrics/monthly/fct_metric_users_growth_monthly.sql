{{ config(**metric_config('users.growth', 'month')) }}

{{ metric_users_growth('month') }}
