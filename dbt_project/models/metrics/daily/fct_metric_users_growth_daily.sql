{{ config(**metric_config('users.growth', 'day')) }}

{{ metric_users_growth('day') }}
