{{ config(**metric_config('reviews.summary', 'day')) }}

{{ metric_reviews_summary('day') }}
