{{ config(**metric_config('courses.performance', 'week')) }}

{{ metric_courses_performance('week') }}
